FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm make && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN make setup && .venv/bin/python manage.py collectstatic --noinput -v 0
EXPOSE 8000
CMD ["sh", "-c", ".venv/bin/python manage.py migrate --noinput && .venv/bin/python manage.py load_questions && exec .venv/bin/daphne -b 0.0.0.0 -p 8000 config.asgi:application"]
