"""Dashboards: saved objects for OpenSearch Dashboards/Kibana, the analyst view and reports."""
