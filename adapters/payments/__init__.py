"""Payment adapters: Stripe (the official SDK) and a local fake with its own checkout page."""
