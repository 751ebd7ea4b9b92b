"""Harness code the test folders share: builders, real-server runners, load generators. No tests here."""
