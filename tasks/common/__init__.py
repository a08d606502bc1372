"""What several stages share: tabular reading, the inbox and its ledger, rejection reports,
spreadsheets, enrolment and standings, submissions, outgoing mail."""
