"""Real-WordPress test set-up (issue #4): packages, private servers, content, crawls."""
