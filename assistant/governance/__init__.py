"""Governance (主动治理), first half of issue 9: repeated and concentrated appeals (一人多次、一事多人),
cases that link related tickets (并案), the agent's view of a caller's history, and clue transfers
(线索移送) to 纪委监委 or 信访."""
