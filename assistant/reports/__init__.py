"""Weekly and monthly reports (周报、月报) as HTML, PDF and XLSX, with charts."""
