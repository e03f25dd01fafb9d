"""Pure verification: the CSCA trust store and Passive Authentication (ICAO 9303-11 §5.1, 9303-12)."""
