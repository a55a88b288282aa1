"""What plugin authors implement and use: the storage and notifier protocols with their value types."""
