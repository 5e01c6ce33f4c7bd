"""The app: ``streamlit run app.py`` serves the router plus sign-in routes and the worker."""

import streamlit as st
from starlette.middleware import Middleware

from server.auth_routes import ROUTES
from server.lifespan import lifespan
from server.middleware import SecurityMiddleware

app = st.App(
    "navigation.py",
    routes=ROUTES,
    middleware=[Middleware(SecurityMiddleware)],
    lifespan=lifespan,
)
