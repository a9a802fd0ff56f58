"""`make bench`: the throughput and latency measurements of issue #15, side by side in one run.

See README, Performance, for what it measures and how to read the report.
"""
