"""Webhooks for case systems: endpoints an administrator registers, an outbox written in
the transaction of each status change (sql/0015_webhooks.sql), and the worker that
delivers it, signed, at least once and in order per idea."""
