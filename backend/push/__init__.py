"""Gentle reminders by web push: subscriptions, VAPID, what is due when, and the sending jobs."""
