"""The assembly hall: ``links`` (the addresses and QR codes a phone follows), ``sala`` (the phone
view, built once per version and filter, then served as bytes), ``state`` (the slide the
president shows, shared by every process)."""
