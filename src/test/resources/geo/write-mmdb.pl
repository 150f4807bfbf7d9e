#!/usr/bin/perl
# Writes a small MaxMind-format country database for the tests, with MaxMind's own writer
# (Debian: libmaxmind-db-writer-perl). Usage: write-mmdb.pl OUT.mmdb NETWORK=CC ...
# or write-mmdb.pl OUT.mmdb - (one NETWORK=CC a line on stdin: bench/countrydb.sh's large one).
# e.g. 198.51.100.0/24=DE 2001:db8:1::/48=FR. IPv6 tree with IPv4 under ::/96 and its usual
# aliases, like GeoLite2-Country.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my $out = shift @ARGV or die "usage: $0 OUT.mmdb NETWORK=CC ...\n";
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version            => 6,
    record_size           => 24,
    database_type         => 'Portcullis-Test-Country',
    languages             => ['en'],
    description           => { en => 'Portcullis test country database (documentation networks)' },
    map_key_type_callback => sub { { country => 'map', iso_code => 'utf8_string' }->{ $_[0] } },
    alias_ipv6_to_ipv4    => 1,
    remove_reserved_networks => 0,
);
my @items = @ARGV == 1 && $ARGV[0] eq '-' ? map { chomp; $_ } <STDIN> : @ARGV;
for my $arg (@items) {
    my ($net, $cc) = split /=/, $arg, 2;
    $tree->insert_network($net, { country => { iso_code => $cc } });
}
open my $fh, '>:raw', $out or die "$out: $!\n";
$tree->write_tree($fh);
close $fh or die "$out: $!\n";
