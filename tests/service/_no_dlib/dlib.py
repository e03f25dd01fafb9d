"""Put first on PYTHONPATH of a service subprocess to play a machine without the face extra's dlib."""

raise ImportError("No module named 'dlib' (hidden by tests/service/_no_dlib)", name="dlib")
