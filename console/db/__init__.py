"""Database backends tuned for Stepyard."""
