"""The commend stage (表彰遴选): ranked, quota-bound, explainable proposals for the meeting."""
