package io.portcullis.server;

import io.portcullis.ban.BanStore;
import io.portcullis.ban.StoreWriter;
import io.portcullis.source.FileTailer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Read positions of one jail's files, kept in the store. */
final class StoredPositions implements FileTailer.Positions {
  private final String jail;
  private final StoreWriter store;

  StoredPositions(String jail, StoreWriter store) {
    this.jail = jail;
    this.store = store;
  }

  @Override
  public FileTailer.Position load(Path file) {
    try {
      return store
          .call(s -> s.position(jail, file.toString()))
          .get(30, TimeUnit.SECONDS)
          .map(p -> new FileTailer.Position(p.inode(), p.fingerprint(), p.offset()))
          .orElse(null);
    } catch (Exception e) {
      return null;
    }
  }

  @Override
  public void save(Path file, FileTailer.Position p) {
    store.write(
        s ->
            s.savePosition(
                jail,
                file.toString(),
                new BanStore.Position(p.inode(), p.fingerprint(), p.offset())));
  }
}
