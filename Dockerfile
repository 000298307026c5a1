FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph_service graph_service
COPY api api
COPY visualize visualize
COPY cypher cypher
RUN pip install --no-cache-dir -e . && useradd --create-home sgraph
USER sgraph
ENV SGRAPH_HOST=0.0.0.0 SGRAPH_PORT=8000 MALLOC_ARENA_MAX=2
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["sgraph", "serve", "--workers", "2"]
