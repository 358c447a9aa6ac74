"""Knowledge-base management (知识库管理): articles and versions, review, import/export, the
retrieval index the service answers from, hit testing and gap mining."""
