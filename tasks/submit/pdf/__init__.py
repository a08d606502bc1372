"""The report PDF pre-screen: isolated worker processes, one file's read, its text's analysis."""
