"""The app: ``streamlit run app.py`` serves the router plus sign-in routes and the worker."""

import streamlit as st
from starlette.middleware import Middleware

from server.auth_routes import ROUTES
from server.lifespan import lifespan
from server.middleware import SecurityMiddleware
from server.page_base import base_path

app = st.App(
    "navigation.py",
    routes=ROUTES,
    middleware=[
        Middleware(SecurityMiddleware, server_root=base_path(st.get_option("server.baseUrlPath")))
    ],
    lifespan=lifespan,
)
