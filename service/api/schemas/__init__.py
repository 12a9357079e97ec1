"""Marshmallow schemas of the API's query parameters and answers, a module per kind of route."""
