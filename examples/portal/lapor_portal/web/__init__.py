"""The portal's HTML pages."""
