"""The mobilize stage (动员): recommendation lists, units and participations, receipts,
invitations."""
