"""The HTTP side of the app shell: sign-in routes, health, security headers, the worker."""
