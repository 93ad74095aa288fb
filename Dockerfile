# escucha on the official Airflow image: the same package serves the DAGs and `escucha serve`.
FROM apache/airflow:3.3.2-python3.11
COPY --chown=airflow:root . /opt/escucha
RUN pip install --no-cache-dir -c /opt/escucha/constraints.txt /opt/escucha
ENV ESCUCHA_CONFIG=/opt/escucha/config/escucha.toml
