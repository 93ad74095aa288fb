# escucha on the official Airflow image: the same package serves the DAGs and `escucha serve`.
# Pinned by version; upgrade by changing the tag here and in docker-compose.yml (README, Production).
FROM apache/airflow:3.3.2-python3.11

# WeasyPrint's system libraries (Pango, HarfBuzz) and fonts with the accents of es/fr, for
# the weekly report's PDF; /data is the store's volume, owned by the runtime user (uid
# 50000) so that a named volume mounted there starts writable.
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data \
 && chown airflow:root /data
USER airflow

# .dockerignore keeps .env, stores, caches and the local configuration out of the image.
COPY --chown=airflow:root . /opt/escucha
RUN pip install --no-cache-dir -c /opt/escucha/constraints.txt /opt/escucha
ENV ESCUCHA_CONFIG=/opt/escucha/config/escucha.toml \
    ESCUCHA_DATA_DIR=/data
