"""The release (发布): certificates, the public catalogue, season statistics, media kit, mail."""
