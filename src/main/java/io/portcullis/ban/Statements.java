package io.portcullis.ban;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The store's prepared statements, compiled once per connection and kept: a flood of bans runs the
 * same few statements thousands of times. Shared by {@link BanStore} and {@link AddressEvents},
 * which use one connection.
 */
final class Statements implements AutoCloseable {
  private final Connection db;
  private final Map<String, PreparedStatement> cache = new HashMap<>();

  Statements(Connection db) {
    this.db = db;
  }

  PreparedStatement get(String sql) throws SQLException {
    PreparedStatement p = cache.get(sql);
    if (p == null) {
      p = db.prepareStatement(sql);
      cache.put(sql, p);
    }
    return p;
  }

  @Override
  public void close() throws SQLException {
    for (PreparedStatement p : cache.values()) {
      p.close();
    }
    cache.clear();
  }
}
