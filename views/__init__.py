"""Page scripts of the Streamlit app (``app.py`` runs them through ``st.navigation``)."""
