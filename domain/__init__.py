"""The core: the Item entity, its rules, its errors and the ports it needs. No frameworks."""
