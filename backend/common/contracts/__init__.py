"""The HTTP contracts between services: the request and reply bodies of the NLP and vision
APIs, as pydantic models the services serve and the worker's clients parse. A recorded reply of
each (recorded/) is checked against the live service by its tests and parsed by the worker's."""
