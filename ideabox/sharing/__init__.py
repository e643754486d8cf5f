"""Sharing: what a link to an idea or a purpose shows when it is posted elsewhere (Open
Graph and Twitter card metadata), and the idea page's share links."""
