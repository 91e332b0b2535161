"""specmcp's domain: entities, value objects, rules and errors. Pure and synchronous."""
