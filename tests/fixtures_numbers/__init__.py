"""Hand-made data set for the KPI scoreboard and the township ranking (tests/test_numbers.py)."""
