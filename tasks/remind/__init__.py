"""The remind stage (催报): deadline reminders, overdue notices and association digests."""
