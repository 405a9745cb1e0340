"""Conversation: a message and its chat's context understood as a Request, answered from the served Library; follows' targets."""
