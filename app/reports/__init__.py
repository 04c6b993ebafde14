"""The weekly report and the exports: the same data, posted to Slack or written to a file."""
