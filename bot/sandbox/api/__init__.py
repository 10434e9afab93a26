"""The sandbox's HTTP face: Twilio's Porting and Documents paths and the ``/_sim`` admin routes.

``app`` composes the routers; ``guard`` is the auth and fault middleware; ``params`` holds
what the routes share (the sandbox dependency, body and parameter parsing, SID lookups).
"""
