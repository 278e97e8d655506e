"""The playground: a web page for every operation of the API, served by a local server that
forwards the page's calls to the API and signs them, so the browser never holds credentials."""

from imagegen_client.playground.server import PlaygroundServer, serve
from imagegen_client.playground.signing import RequestSigner, SigV4Signer, region_of, signer_for

__all__ = ["PlaygroundServer", "RequestSigner", "SigV4Signer", "region_of", "serve", "signer_for"]
