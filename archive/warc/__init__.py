"""The bytes: what the server sent, kept exactly (capture value, record builder, rotating writer,
the one record reader, CDXJ). Everything else in ``archive`` is derived from what lives here."""
