"""Text messages: the outbox, the dispatcher, Twilio in and out, reminder planning."""
