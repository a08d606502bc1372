"""The campaign clock's own work: the day's agenda and closing the windows of past deadlines."""
