"""The submit stage (报告提交): information forms, financials, report PDFs and their pre-screen."""
