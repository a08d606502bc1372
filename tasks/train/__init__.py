"""The train stage (宣贯培训): seats in sessions, waiting lists, attendance, its mail."""
