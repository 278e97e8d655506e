"""What the layers pass each other: the request, the response documents, errors, the model
catalog, settings and the data types of images and jobs. Imports nothing of the service."""
