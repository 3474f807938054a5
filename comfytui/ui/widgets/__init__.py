"""Small widgets of the app shell."""
