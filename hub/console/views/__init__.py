"""The admin console's pages, one module (one blueprint) per resource."""
