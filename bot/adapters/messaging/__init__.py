"""Sending messages: email (SMTP); SMS and WhatsApp come with their channels."""
