"""What the service does, whatever the entry point: generate images, accept jobs, run them,
read what a queue message asks for. It receives the adapters it uses; it never builds them."""
