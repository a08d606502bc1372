"""Release certificates (发布证书): layout, fonts, PDF rendering, numbering and verification."""
