"""The portal's machine interfaces: the JSON API and Open311 GeoReport v2."""
