# The frontend is built with Node 20 (Vite 7 needs it; Debian's nodejs is older), then copied
# into the Python image that serves it.
FROM node:20-bookworm-slim AS frontend
WORKDIR /app/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends make && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
COPY --from=frontend /app/frontend/dist frontend/dist
RUN make python sandbox && .venv/bin/python manage.py collectstatic --noinput -v 0
EXPOSE 8000
CMD ["sh", "-c", ".venv/bin/python manage.py migrate --noinput && .venv/bin/python manage.py load_questions && exec .venv/bin/python -m config.serve --bind 0.0.0.0 --port 8000"]
